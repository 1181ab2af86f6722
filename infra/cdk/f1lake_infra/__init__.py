"""The f1lake CDK app: every AWS resource of the pipeline, one stack per concern.

``f1lake_infra.stacks.build_stacks`` builds them; ``infra/cdk/app.py`` is the entry point.
"""
