"""The simulated service's state: jobs, keys, limits, faults, journal, outputs. No HTTP here."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import deque
from typing import Any

from simulator import images
from simulator.auth import KeyRegistry
from simulator.clock import Clock
from simulator.config import SimConfig
from simulator.errors import SimError
from simulator.faults import (
    STATUS_DETAILS,
    DropFault,
    FailFault,
    FaultPlan,
    NeverFinishFault,
    SlowDownloadFault,
    StatusFault,
)
from simulator.jobs import Job, fail, iso, new_job
from simulator.limits import RateLimiter
from simulator.validation import GenerationRequest, ImageRef


class DroppedError(Exception):
    """The connection is to be closed without an answer (a fault)."""

    def __init__(self, job: Job | None = None) -> None:
        super().__init__("connection dropped" + (f" after creating job {job.id}" if job else ""))
        self.job = job


class Backend:
    """One simulated API: every client's jobs, on one clock."""

    def __init__(self, config: SimConfig, clock: Clock, faults: FaultPlan | None = None) -> None:
        self.config = config
        self.clock = clock
        self.keys = KeyRegistry(open_keys=config.open_keys)
        self._secret = hashlib.sha256(f"{config.seed}:url-secret".encode()).digest()
        self.load_faults(faults or FaultPlan())
        self.reset()

    def reset(self) -> None:
        """Forget every job, request and limit count (keys and the fault plan stay)."""
        self.jobs: dict[str, Job] = {}
        self.job_list: list[Job] = []
        self.journal: deque[dict[str, Any]] = deque(maxlen=self.config.journal_limit)
        self.request_count = 0
        self.limiter = RateLimiter(self.config.rpm, self.config.concurrency)
        self._active: dict[str, list[Job]] = {}
        self._renders: dict[str, tuple[bytes, str]] = {}
        self._fault_uses: dict[int, int] = {}

    def load_faults(self, plan: FaultPlan) -> None:
        self.faults = plan
        self._fault_uses = {}

    # --- requests -----------------------------------------------------------------------

    def next_request(self, method: str) -> int:
        """Number an API request and apply the faults scripted or drawn for it."""
        self.request_count += 1
        number = self.request_count
        for fault in self.faults.for_request(number, method):
            _raise_before(fault)
        draw = self.faults.random_fault(number, method)
        if draw is not None and draw.kind == "status":
            _raise_status(StatusFault(kind="status", request=number, status=draw.status))
        if draw is not None and draw.kind == "drop_before":
            raise DroppedError()
        return number

    def record(self, entry: dict[str, Any]) -> None:
        self.journal.append(entry)

    # --- jobs ---------------------------------------------------------------------------

    def create(self, client: str, request: GenerationRequest,
               request_number: int) -> tuple[Job, dict[str, str]]:
        """Admit a job (limits, faults) and return it with the 201's rate-limit headers."""
        self._check_chain(client, request)
        now = self.clock.now()
        number = len(self.job_list) + 1
        for fault in self.faults.for_job(number):
            if _is_before(fault) and self._use(fault):  # type: ignore[arg-type]
                _raise_before(fault)
        if not self.faults.fail_open:
            self.limiter.check(client, now, self._count_active(client, now))
        job = new_job(number, client, request, now, self.config)
        self._apply_job_faults(job)
        headers = {} if self.faults.fail_open else self.limiter.record(client, now)
        self.jobs[job.id] = job
        self.job_list.append(job)
        self._active.setdefault(client, []).append(job)
        self._after_create(job, request_number)
        return job, headers

    def get(self, client: str, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None or job.client != client:
            raise SimError(404, "Generation not found")
        return job

    def view(self, job: Job, base_url: str) -> dict[str, Any]:
        """The Generation object as the API shows it now; a completed job gets a fresh URL."""
        now = self.clock.now()
        state = job.state(now)
        failed = state == "failed"
        output = []
        if state == "completed":
            output = [{"type": "image", "url": self._mint(job, base_url, now)}]
        return {
            "id": job.id, "type": job.request.type, "state": state, "model": job.request.model,
            "created_at": iso(job.created_at), "output": output,
            "failure_reason": job.failure_reason if failed else None,
            "failure_code": job.failure_code if failed else None,
        }

    def jobs_report(self) -> dict[str, Any]:
        now = self.clock.now()
        return {"now": iso(now), "jobs": [job.summary(now) for job in self.job_list]}

    # --- outputs ------------------------------------------------------------------------

    def download(self, job_id: str, query: dict[str, str]) -> tuple[bytes, str, float]:
        """Bytes, media type and the delay before them, for a presigned output URL."""
        expires = query.get("X-Sim-Expires", "")
        nonce = query.get("X-Sim-Nonce", "")
        signature = self._sign(job_id, expires, nonce)
        if not hmac.compare_digest(query.get("X-Sim-Signature", ""), signature):
            raise SimError(403, "Signature does not match")
        if not expires.isdigit() or self.clock.now() >= int(expires):
            raise SimError(403, "Request has expired")
        job = self.jobs.get(job_id)
        if job is None or job.state(self.clock.now()) != "completed":
            raise SimError(404, "Not Found")
        data, media_type = self.output(job)
        return data, media_type, job.slow_download

    def output(self, job: Job) -> tuple[bytes, str]:
        """The job's picture, rendered once; chained jobs render on their parent's output."""
        if job.id not in self._renders:
            refs = tuple(b for r in job.request.image_ref if (b := self._ref_bytes(r)) is not None)
            source = None if job.request.source is None else self._ref_bytes(job.request.source)
            long_side = self.config.output_long_side
            self._renders[job.id] = images.render(job.request, source, long_side, refs)
        return self._renders[job.id]

    # --- internals ----------------------------------------------------------------------

    def _ref_bytes(self, ref: ImageRef) -> bytes | None:
        if ref.kind == "data":
            return ref.data
        if ref.kind == "generation_id" and ref.value in self.jobs:
            return self.output(self.jobs[ref.value])[0]
        return None

    def _check_chain(self, client: str, request: GenerationRequest) -> None:
        refs = [("source", request.source)]
        refs += [(f"image_ref[{i}]", r) for i, r in enumerate(request.image_ref)]
        now = self.clock.now()
        for field, ref in refs:
            if ref is None or ref.kind not in ("generation_id", "file_id"):
                continue
            job = self.jobs.get(ref.value)
            state = "unknown" if job is None or job.client != client else job.state(now)
            if ref.kind == "file_id" or state != "completed":
                detail = self.config.chain_detail.format(field=field, id=ref.value, state=state)
                raise SimError(self.config.chain_status, detail)

    def _count_active(self, client: str, now: float) -> int:
        ttl = self.config.active_ttl
        live = [job for job in self._active.get(client, []) if job.is_active(now, ttl)]
        self._active[client] = live
        return len(live)

    def _apply_job_faults(self, job: Job) -> None:
        for fault in self.faults.for_job(job.number):
            if isinstance(fault, FailFault):
                fail(job, fault)
            elif isinstance(fault, NeverFinishFault):
                job.finished_at = math.inf
            elif isinstance(fault, SlowDownloadFault):
                job.slow_download = fault.seconds
        if job.failure_code is None:
            self._fail_bad_inputs(job)

    def _fail_bad_inputs(self, job: Job) -> None:
        """An input that is not a usable image fails the job while it is still queued."""
        refs = [job.request.source, *job.request.image_ref]
        for ref in refs:
            if ref is not None and ref.data is not None and ref.media_type is not None:
                code = images.inspect(ref.data, ref.media_type)
                if code is not None:
                    fault = FailFault(kind="fail", job=job.number, code=code,
                                      from_state="queued")
                    fail(job, fault)
                    return

    def _after_create(self, job: Job, request_number: int) -> None:
        draw = self.faults.random_fault(request_number, "POST")
        if draw is not None and draw.kind == "fail" and job.failure_code is None:
            fail(job, FailFault(kind="fail", job=job.number))
        scripted = self.faults.for_job(job.number) + self.faults.for_request(request_number, "POST")
        for fault in scripted:
            if isinstance(fault, DropFault) and fault.when == "after" and self._use(fault):
                raise DroppedError(job)
        if draw is not None and draw.kind == "drop_after":
            raise DroppedError(job)

    def _use(self, fault: StatusFault | DropFault) -> bool:
        """Spend one of the fault's `times`; False once it is used up."""
        used = self._fault_uses.get(id(fault), 0)
        if used >= fault.times:
            return False
        self._fault_uses[id(fault)] = used + 1
        return True

    def _mint(self, job: Job, base_url: str, now: float) -> str:
        job.urls_minted += 1
        expires = str(math.ceil(now + self.config.url_ttl))
        nonce = str(job.urls_minted)
        ext = "jpg" if job.request.output_format == "jpeg" else "png"
        ttl = int(self.config.url_ttl)
        return (f"{base_url}/storage/{job.id}/output.{ext}?X-Amz-Expires={ttl}"
                f"&X-Sim-Expires={expires}&X-Sim-Nonce={nonce}"
                f"&X-Sim-Signature={self._sign(job.id, expires, nonce)}")

    def _sign(self, job_id: str, expires: str, nonce: str) -> str:
        message = f"{job_id}:{expires}:{nonce}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]


def _is_before(fault: Any) -> bool:
    """A fault that answers instead of creating the job."""
    is_drop = isinstance(fault, DropFault) and fault.when == "before"
    return isinstance(fault, StatusFault) or is_drop


def _raise_before(fault: Any) -> None:
    if isinstance(fault, StatusFault):
        _raise_status(fault)
    if isinstance(fault, DropFault) and fault.when == "before":
        raise DroppedError()


def _raise_status(fault: StatusFault) -> None:
    headers = {}
    if fault.status == 429 or fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
    raise SimError(fault.status, fault.detail or STATUS_DETAILS[fault.status], headers)

