"""Deploying a house's stack to AWS (`make deploy`) and its site (`make publish-site`)."""
