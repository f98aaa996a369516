"""The DynamoDB calls behind the built-in ``dynamodb`` databases (see
:mod:`ddbsql.catalog.builtin`): ListTables, DescribeTable and the schema sample, for
one region and endpoint."""
from __future__ import annotations

import threading
import time
from typing import Callable

from ..catalog.facts import TableFacts
from ..catalog.inference import Sample
from .governor import Governor
from .retry import RetryPolicy
from .sampler import sample_items

#: Seconds a ListTables answer is reused.
LIST_TTL = 30.0


class DynamoDBDirectory:
    """One region's tables through one boto3 client.

    ``describe(name)`` and ``governor(facts)`` come from the session (its DescribeTable
    cache and its per-table read governors); ``sample_size`` and ``segments`` from its
    settings.
    """

    def __init__(self, client, region: str, endpoint: str | None, retry: RetryPolicy, *,
                 describe: Callable[[str], TableFacts], governor: Callable[[TableFacts], Governor | None],
                 sample_size: int, segments: int, cancel: threading.Event | None = None,
                 on_sample: Callable[[str], None] | None = None, clock=time.monotonic):
        self.client = client
        self.region = region
        self.endpoint = endpoint
        self.retry = retry
        self._describe = describe
        self._governor = governor
        self.sample_size = sample_size
        self.segments = segments
        self.cancel = cancel
        self.on_sample = on_sample
        self.clock = clock
        self._names: tuple[float, list[str]] | None = None

    def table_names(self) -> list[str]:
        """Every table name of the region (all ListTables pages)."""
        if self._names is not None and self.clock() - self._names[0] < LIST_TTL:
            return self._names[1]
        names: list[str] = []
        params: dict = {}
        while True:
            page = self.retry.call(lambda: self.client.list_tables(**params), what=f"ListTables in {self.region}")
            names += page.get("TableNames", [])
            last = page.get("LastEvaluatedTableName")
            if not last:
                break
            params["ExclusiveStartTableName"] = last
        self._names = (self.clock(), names)
        return names

    def facts(self, name: str) -> TableFacts:
        return self._describe(name)

    def sample(self, facts: TableFacts) -> Sample:
        if self.on_sample is not None:
            self.on_sample(f"sampling {self.sample_size} item(s) of DynamoDB table {facts.table_name} "
                           f"to infer its columns")
        return sample_items(self.client, facts, self.retry, size=self.sample_size, segments=self.segments,
                            governor=self._governor(facts), cancel=self.cancel)

