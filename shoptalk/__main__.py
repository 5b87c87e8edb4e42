from shoptalk.cli import main

main()
