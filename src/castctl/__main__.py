from castctl.cli import main

main()
