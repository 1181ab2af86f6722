"""The pipeline's stages, shared by the DAGs and the CLI, one module each.

``plan`` (the shell: asks the ledger and the API) over ``plan_rules`` (the pure rules),
``ingest`` (fetch, write raw objects), ``load`` (await the processor, crawl, check) and
``report`` (what a run did). ``tasks`` wraps them as Airflow tasks; the DAG files only wire.
"""
