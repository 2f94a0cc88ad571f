from raci_tracker.cli import main

main()
