"""Poll policy: first wait, fixed interval, deadline, learning from observed latencies."""

from __future__ import annotations

import pytest

from lumaflow.polling import PollConfig, PollPolicy


def test_first_poll_after_default_wait_then_fixed_interval() -> None:
    policy = PollPolicy()
    assert policy.next_wait("uni-1", elapsed=0.0, last_poll=None) == 10.0
    assert policy.next_wait("uni-1", elapsed=10.0, last_poll=None) == 0.0
    assert policy.next_wait("uni-1", elapsed=10.0, last_poll=10.0) == pytest.approx(1.9)
    # No backoff: the gap stays the same however long the job runs.
    assert policy.next_wait("uni-1", elapsed=200.0, last_poll=200.0) == pytest.approx(1.9)


def test_never_sleeps_past_the_deadline() -> None:
    policy = PollPolicy(PollConfig(deadline=11.0))
    assert policy.next_wait("m", elapsed=10.0, last_poll=10.0) == pytest.approx(1.0)
    assert not policy.expired(10.9) and policy.expired(11.0)


def test_first_wait_learns_a_low_quantile_per_kind() -> None:
    policy = PollPolicy()
    for latency in range(30, 60):
        policy.observe("uni-1", detected=latency + 1.0, last_pending=latency - 1.0,
                       first_wait=10.0)
    assert 29.0 <= policy.first_wait("uni-1") <= 32.0
    assert policy.first_wait("uni-1-max") == 10.0  # other models keep the default


def test_needs_a_few_samples_before_trusting_them() -> None:
    policy = PollPolicy()
    policy.observe("m", detected=50.0, last_pending=48.0, first_wait=10.0)
    assert policy.first_wait("m") == 10.0


def test_a_fast_service_is_found_by_halving() -> None:
    policy = PollPolicy()
    for _ in range(3):  # every job already done at its first poll: nothing was measured
        policy.observe("m", detected=10.0, last_pending=None, first_wait=10.0)
    assert policy.first_wait("m") == 5.0
    policy.observe("m", detected=5.0, last_pending=None, first_wait=5.0)
    assert policy.first_wait("m") == 2.5


def test_done_at_first_poll_pulls_the_wait_down_gently_once_measured() -> None:
    policy = PollPolicy(PollConfig(first_wait=100.0))
    policy.observe("m", detected=60.0, last_pending=58.0, first_wait=50.0)
    policy.observe("m", detected=60.0, last_pending=58.0, first_wait=50.0)
    policy.observe("m", detected=40.0, last_pending=None, first_wait=40.0)
    assert policy.first_wait("m") == 36.0  # 0.9 × 40, not halved: latencies were measured


def test_learnt_wait_is_bounded() -> None:
    policy = PollPolicy(PollConfig(max_first_wait=60.0))
    for _ in range(5):
        policy.observe("m", detected=1000.0, last_pending=999.0, first_wait=10.0)
    assert policy.first_wait("m") == 60.0


def test_a_waiting_job_follows_what_others_taught() -> None:
    policy = PollPolicy()
    assert policy.next_wait("m", elapsed=5.0, last_poll=None) == 5.0
    for _ in range(3):
        policy.observe("m", detected=41.0, last_pending=39.0, first_wait=10.0)
    assert policy.next_wait("m", elapsed=5.0, last_poll=None) == pytest.approx(35.0)
