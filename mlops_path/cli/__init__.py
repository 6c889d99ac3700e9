"""The command line: parsing in `app`, every byte of output in `render`."""
