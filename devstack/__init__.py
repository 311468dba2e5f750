"""The local stack: moto in server mode, resources created from ``infra/template.yaml``,
the real handlers behind a local HTTP gateway. Used by ``make dev`` and by the tests."""
