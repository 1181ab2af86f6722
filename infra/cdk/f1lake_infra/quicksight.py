"""QuickSight (opt-in: ``-c quicksight=true -c quicksightPrincipalArn=arn:...``): an Athena data
source on the workgroup, a dataset per named query of sql/athena (the season as its parameter
when it takes one), and the dashboard of dashboards/season.json with its Season, Race, Driver
and History sheets and their selectors (the definition the local HTML dashboard draws too).

The data source runs as its own IAM role (``AthenaParameters.RoleArn``), so nothing has to be
granted by hand to the account-wide QuickSight service role: the role may run queries in the
workgroup, read the catalog and the processed bucket, and read/write Athena's results prefix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_quicksight as quicksight
from aws_cdk import aws_s3 as s3
from constructs import Construct

from f1lake.dashboard.spec import Dashboard, load_spec
from f1lake.query.params import INTEGER_TYPES, ParamSpec, parse_params
from f1lake.resources import DASHBOARD_SPEC, SQL_ROOT
from f1lake_infra.analytics import results_statements
from f1lake_infra.catalog import glue_catalog_arns
from f1lake_infra.config import DeployConfig
from f1lake_infra.quicksight_datasets import (
    DatasetError,
    SeasonQuery,
    describe_columns,
    quicksight_sql,
    season_queries,
)
from f1lake_infra.quicksight_visuals import DatasetRef, dashboard_definition
from f1lake_infra.trust import account_service_principal

DATA_SOURCE_ACTIONS = (
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
)
DATASET_ACTIONS = (
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:PassDataSet",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:UpdateDataSet",
    "quicksight:DeleteDataSet",
    "quicksight:CreateIngestion",
    "quicksight:CancelIngestion",
    "quicksight:UpdateDataSetPermissions",
)
DASHBOARD_ACTIONS = (
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:UpdateDashboardPermissions",
    "quicksight:QueryDashboard",
    "quicksight:UpdateDashboard",
    "quicksight:DeleteDashboard",
    "quicksight:DescribeDashboardPermissions",
    "quicksight:UpdateDashboardPublishedVersion",
)
ATHENA_WORKGROUP_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
    "athena:GetQueryExecution",
    "athena:BatchGetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetQueryResultsStream",
    "athena:ListQueryExecutions",
    "athena:GetWorkGroup",
)
ATHENA_CATALOG_ACTIONS = (
    "athena:GetDataCatalog",
    "athena:ListDatabases",
    "athena:GetDatabase",
    "athena:ListTableMetadata",
    "athena:GetTableMetadata",
)
ATHENA_LIST_ACTIONS = ("athena:ListDataCatalogs", "athena:ListWorkGroups")
GLUE_READ_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
)


def default_season(config: DeployConfig, spec: Dashboard, today: date) -> int:
    """The season the dashboard opens on: the context's, else the spec's when it names one,
    else the last complete season (the spec's "latest" has no static form in QuickSight, and
    a dashboard parameter's default must be static)."""
    if config.quicksight_default_season is not None:
        return config.quicksight_default_season
    if isinstance(spec.parameter.default, int):
        return spec.parameter.default
    return today.year - 1


def resource_id(prefix: str, name: str) -> str:
    """QuickSight ids are per account and region: prefix them with the stack prefix."""
    return f"{prefix}-{name}".lower().replace("_", "-")


class QuickSightStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        processed_bucket: s3.IBucket,
        results_bucket: s3.IBucket,
        spec_path: Path = DASHBOARD_SPEC,
        sql_root: Path = SQL_ROOT,
        today: date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        if not config.quicksight_principal_arn:
            raise ValueError("the QuickSight stack needs quicksightPrincipalArn")
        principal = config.quicksight_principal_arn
        spec = load_spec(spec_path)
        param = spec.parameter
        self.default_season = default_season(config, spec, today or date.today())
        bound = {q: spec.bindings(q) for q in spec.queries()}
        queries = season_queries(param.name, sql_root, bound)
        pending = {v.query for v in spec.visuals() if v.requires}  # drawn once the schema has it
        wanted = dict.fromkeys([*spec.queries(), *spec.values_queries()])
        missing = [q for q in wanted if q not in queries and q not in pending]
        if missing:
            raise DatasetError(
                f"{spec_path}: the dashboard reads quer(ies) {', '.join(missing)}, which are not "
                f"season queries of {sql_root} (a file <name>.sql taking only :{param.name} and "
                "the parameters its visuals bind to a selector)"
            )
        columns = describe_columns(queries.values(), param.name, self.default_season)

        self.role = self._athena_role(config, processed_bucket, results_bucket)
        self.data_source = quicksight.CfnDataSource(
            self,
            "DataSource",
            aws_account_id=self.account,
            data_source_id=resource_id(config.stack_prefix, "athena"),
            name=f"f1lake Athena ({config.athena_workgroup})",
            type="ATHENA",
            data_source_parameters=quicksight.CfnDataSource.DataSourceParametersProperty(
                athena_parameters=quicksight.CfnDataSource.AthenaParametersProperty(
                    work_group=config.athena_workgroup, role_arn=self.role.role_arn
                )
            ),
            ssl_properties=quicksight.CfnDataSource.SslPropertiesProperty(disable_ssl=False),
            permissions=[
                quicksight.CfnDataSource.ResourcePermissionProperty(
                    principal=principal, actions=list(DATA_SOURCE_ACTIONS)
                )
            ],
        )
        # The role's policy must exist before QuickSight validates the data source with it.
        self.data_source.node.add_dependency(self.role)

        self.datasets: dict[str, quicksight.CfnDataSet] = {}
        refs: dict[str, DatasetRef] = {}
        for name, query in queries.items():
            dataset = self._dataset(config, name, query, columns[name], principal, param.name)
            self.datasets[name] = dataset
            refs[name] = DatasetRef(
                name, dataset.attr_arn, columns[name], query.parameters, bound.get(name, {})
            )

        self.dashboard = quicksight.CfnDashboard(
            self,
            "Dashboard",
            aws_account_id=self.account,
            dashboard_id=resource_id(config.stack_prefix, spec.id),
            name=spec.title,
            version_description=f"dashboards/season.json: {spec.description}"[:512],
            permissions=[
                quicksight.CfnDashboard.ResourcePermissionProperty(
                    principal=principal, actions=list(DASHBOARD_ACTIONS)
                )
            ],
            dashboard_publish_options=quicksight.CfnDashboard.DashboardPublishOptionsProperty(
                ad_hoc_filtering_option=quicksight.CfnDashboard.AdHocFilteringOptionProperty(
                    availability_status="ENABLED"
                ),
                export_to_csv_option=quicksight.CfnDashboard.ExportToCSVOptionProperty(
                    availability_status="ENABLED"
                ),
                sheet_controls_option=quicksight.CfnDashboard.SheetControlsOptionProperty(
                    visibility_state="EXPANDED"
                ),
            ),
        )
        # The definition is plain QuickSight JSON built by a pure function (quicksight_visuals).
        self.definition = dashboard_definition(spec, refs, self.default_season)
        self.dashboard.add_property_override("Definition", self.definition)

        CfnOutput(
            self,
            "DashboardId",
            value=self.dashboard.dashboard_id,
            description="QuickSight > Dashboards (in this region)",
        )
        CfnOutput(self, "DataSourceId", value=self.data_source.data_source_id or "")
        CfnOutput(
            self, "AthenaRoleArn", value=self.role.role_arn, description="the data source's role"
        )

    def _dataset(
        self,
        config: DeployConfig,
        name: str,
        query: SeasonQuery,
        columns: dict[str, str],
        principal: str,
        parameter: str,
    ) -> quicksight.CfnDataSet:
        parameters = [self._parameter(name, p, parameter) for p in parse_params(query.text)]
        return quicksight.CfnDataSet(
            self,
            f"DataSet-{name}",
            aws_account_id=self.account,
            data_set_id=resource_id(config.stack_prefix, name),
            name=f"f1lake {name}",
            import_mode="DIRECT_QUERY",
            physical_table_map={
                resource_id("sql", name): quicksight.CfnDataSet.PhysicalTableProperty(
                    custom_sql=quicksight.CfnDataSet.CustomSqlProperty(
                        data_source_arn=self.data_source.attr_arn,
                        name=name,
                        sql_query=quicksight_sql(query),
                        columns=[
                            quicksight.CfnDataSet.InputColumnProperty(name=c, type=t)
                            for c, t in columns.items()
                        ],
                    )
                )
            },
            dataset_parameters=parameters or None,
            permissions=[
                quicksight.CfnDataSet.ResourcePermissionProperty(
                    principal=principal, actions=list(DATASET_ACTIONS)
                )
            ],
        )

    def _parameter(
        self, name: str, param: ParamSpec, season: str
    ) -> quicksight.CfnDataSet.DatasetParameterProperty:
        """The season (defaulting to the dashboard's) or a bound selector's value: an integer
        (the race's round, defaulting to the first) or a string (driver, team: no default, the
        selector sets it)."""
        if param.type not in INTEGER_TYPES:
            return quicksight.CfnDataSet.DatasetParameterProperty(
                string_dataset_parameter=quicksight.CfnDataSet.StringDatasetParameterProperty(
                    id=resource_id(name, param.name), name=param.name, value_type="SINGLE_VALUED"
                )
            )
        default = self.default_season if param.name == season else 1
        return quicksight.CfnDataSet.DatasetParameterProperty(
            integer_dataset_parameter=quicksight.CfnDataSet.IntegerDatasetParameterProperty(
                id=resource_id(name, param.name),
                name=param.name,
                value_type="SINGLE_VALUED",
                default_values=quicksight.CfnDataSet.IntegerDatasetParameterDefaultValuesProperty(
                    static_values=[default]
                ),
            )
        )

    def _athena_role(
        self, config: DeployConfig, processed: s3.IBucket, results: s3.IBucket
    ) -> iam.Role:
        role = iam.Role(
            self,
            "QuickSightAthenaRole",
            assumed_by=account_service_principal(self, "quicksight.amazonaws.com"),
            description="f1lake QuickSight data source: query the f1lake workgroup",
        )
        statements = [
            iam.PolicyStatement(
                sid="RunQueriesInWorkgroup",
                actions=list(ATHENA_WORKGROUP_ACTIONS),
                resources=[
                    self.format_arn(
                        service="athena",
                        resource="workgroup",
                        resource_name=config.athena_workgroup,
                    )
                ],
            ),
            iam.PolicyStatement(
                sid="AthenaCatalog",
                actions=list(ATHENA_CATALOG_ACTIONS),
                resources=[
                    self.format_arn(
                        service="athena", resource="datacatalog", resource_name="AwsDataCatalog"
                    )
                ],
            ),
            iam.PolicyStatement(
                sid="AthenaLists", actions=list(ATHENA_LIST_ACTIONS), resources=["*"]
            ),
            iam.PolicyStatement(
                sid="ReadCatalog",
                actions=list(GLUE_READ_ACTIONS),
                resources=glue_catalog_arns(self, config.glue_database),
            ),
            iam.PolicyStatement(
                sid="ReadProcessed",
                actions=["s3:GetObject"],
                resources=[processed.arn_for_objects("*")],
            ),
            iam.PolicyStatement(
                sid="ListProcessed",
                actions=["s3:ListBucket", "s3:GetBucketLocation"],
                resources=[processed.bucket_arn],
            ),
            *results_statements(results),
        ]
        for statement in statements:
            role.add_to_policy(statement)
        return role
