"""Tooling above the domain: the demo province (``load_demo``) and the compliance benchmarks (``make bench``).

It reads and writes through the domain apps (cells, members, meetings, reports); none of them imports it.
"""
