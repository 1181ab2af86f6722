"""The app's stacks, one per concern, wired by cross-stack references:

    storage  <-  processing (queue + DLQ + notification + Lambda + alarms)
             <-  catalog (Glue database + crawler)  <-  analytics (Athena)
             <-  access (Airflow policy + role; every name Airflow needs as outputs)
             <-  quicksight (opt-in: -c quicksight=true)

Storage holds only the data, so the compute around it can be redeployed or destroyed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack, Tags
from constructs import Construct

from f1lake_infra.airflow_access import AccessStack
from f1lake_infra.analytics import AnalyticsStack
from f1lake_infra.catalog import CatalogStack
from f1lake_infra.config import DeployConfig, require_airflow_principal
from f1lake_infra.processing import ProcessingStack
from f1lake_infra.storage import StorageStack


@dataclass(frozen=True)
class F1LakeStacks:
    storage: StorageStack
    processing: ProcessingStack
    catalog: CatalogStack
    analytics: AnalyticsStack
    access: AccessStack
    quicksight: Stack | None

    def all(self) -> list[Stack]:
        stacks = [self.storage, self.processing, self.catalog, self.analytics, self.access]
        return stacks + ([self.quicksight] if self.quicksight else [])


def build_stacks(scope: Construct, config: DeployConfig) -> F1LakeStacks:
    """Every stack of a deployment; environment-agnostic (account/region from the CLI)."""
    # A missing parameter fails here, not after the processing stack has bundled the Lambda.
    require_airflow_principal(config)
    prefix = config.stack_prefix

    def described(what: str) -> dict[str, str]:
        return {"description": f"f1lake: Formula 1 results lake - {what}"}

    storage = StorageStack(scope, f"{prefix}Storage", config=config, **described("buckets (S3)"))
    buckets = storage.buckets
    catalog = CatalogStack(
        scope,
        f"{prefix}Catalog",
        database_name=config.glue_database,
        processed_bucket=buckets.processed,
        **described("Glue database and crawler"),
    )
    processing = ProcessingStack(
        scope,
        f"{prefix}Processing",
        config=config,
        buckets=buckets,
        crawler_name=catalog.catalog.crawler_name,  # a plain name: no reference to the catalog
        **described("raw events, processor Lambda, alarms (SQS, Lambda, CloudWatch)"),
    )
    analytics = AnalyticsStack(
        scope,
        f"{prefix}Analytics",
        config=config,
        results_bucket=buckets.athena_results,
        crawler_name=catalog.catalog.crawler_name,
        **described("Athena workgroup, saved queries and views"),
    )
    # Saved queries name the database; the views function needs it to exist.
    analytics.add_stack_dependency(catalog, "saved queries and views need the Glue database")
    access = AccessStack(
        scope,
        f"{prefix}Access",
        config=config,
        raw_bucket=buckets.raw,
        processed_bucket=buckets.processed,
        quarantine_bucket=buckets.quarantine,
        results_bucket=buckets.athena_results,
        queue=processing.raw_events.queue,
        dead_letter_queue=processing.raw_events.dead_letter_queue,
        crawler_name=catalog.catalog.crawler_name,
        crawler_arn=catalog.catalog.crawler_arn,
        **described("Airflow's IAM policy and role, and the names Airflow needs"),
    )
    access.add_stack_dependency(analytics, "Airflow's workgroup output names a deployed workgroup")
    quicksight = None
    if config.quicksight:
        from f1lake_infra.quicksight import QuickSightStack

        quicksight = QuickSightStack(
            scope,
            f"{prefix}QuickSight",
            config=config,
            processed_bucket=buckets.processed,
            results_bucket=buckets.athena_results,
            **described("QuickSight data source, datasets and season dashboard"),
        )
        quicksight.add_stack_dependency(analytics, "datasets query the workgroup and the views")
    stacks = F1LakeStacks(storage, processing, catalog, analytics, access, quicksight)
    for stack in stacks.all():
        Tags.of(stack).add("project", "f1lake")
    return stacks
