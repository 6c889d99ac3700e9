from mlops_path.cli.app import main

main()
