"""Orchestration steps shared by the DAGs and the CLI: plan, ingest, await processing, crawl.

The DAG files stay thin: each task calls one function here, with plain values in and out.
"""
