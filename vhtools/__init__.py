"""Tooling shared by ``deploy/``, ``devstack/`` and ``benchmarks/``: reading the SAM template,
the site's CSP hashes and the schedules derived from a house's file. Never imports those."""
