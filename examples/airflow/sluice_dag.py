"""Runs the CoolWearPT pipeline with sluice every hour from Airflow.

sluice's exit codes drive the task states:
  0 succeeded (warnings allowed)
  1 a model or an error-severity test failed, or a connection could not be reached
    (for plan: the plan is incomplete)
  2 the project did not compile or a flag was misused (nothing ran)
  3 another run holds the run lock (or this run lost it)
A task fails on 1 and 2; on 3 it is skipped (another run is doing the work; the next hour tries
again), and so are the tasks after it. `--log-format json` prints one JSON event per line on stdout,
ending with a `finish` event that carries the exit code, so the task log can be searched or shipped
as it is.

Copy this file into the DAGs folder and set SLUICE_PROJECT_DIR to the project's checkout.
"""

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

PROJECT_DIR = os.environ.get("SLUICE_PROJECT_DIR", "/opt/sluice/coolwear")
TARGET = os.environ.get("SLUICE_TARGET", "prod")
SLUICE = f"npx --prefix {PROJECT_DIR} sluice"
# sluice's exit code for a run lock held by another run (see the docstring).
EXIT_LOCKED = 3
COMMON = f"--project-dir {PROJECT_DIR} --target {TARGET} --log-format json"

with DAG(
    dag_id="coolwear_sluice",
    start_date=datetime(2026, 1, 1),
    schedule="@hourly",
    catchup=False,
    # One run at a time: sluice refuses a second build on the same target anyway (run lock).
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
) as dag:
    # The PR check, offline: a project that no longer compiles stops here with exit 2.
    check = BashOperator(task_id="check", bash_command=f"{SLUICE} check {COMMON}")
    # What the build will do and why, kept in the task log.
    plan = BashOperator(
        task_id="plan",
        bash_command=f"{SLUICE} plan {COMMON} --lock-timeout 600",
        skip_on_exit_code=EXIT_LOCKED,
    )
    # Waits up to 10 minutes for a build started by hand before giving up.
    build = BashOperator(
        task_id="build",
        bash_command=f"{SLUICE} build {COMMON} --lock-timeout 600",
        skip_on_exit_code=EXIT_LOCKED,
        execution_timeout=timedelta(hours=2),
    )
    docs = BashOperator(task_id="docs", bash_command=f"{SLUICE} docs generate {COMMON}")

    check >> plan >> build >> docs
