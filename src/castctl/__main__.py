from castctl.fasthelp import main

main()
