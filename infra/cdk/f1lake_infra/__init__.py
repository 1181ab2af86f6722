"""The f1lake CDK app: every AWS resource of the pipeline, one construct per concern.

The stack is `f1lake_infra.stack.F1LakeStack`; `infra/cdk/app.py` instantiates it.
"""
