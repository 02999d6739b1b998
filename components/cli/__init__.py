"""The command line: plan, diff and doctor, the edges that read files, tokens and the network and print."""
