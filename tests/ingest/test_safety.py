from __future__ import annotations

import ipaddress
import socket

import pytest

from vigil.errors import BlockedURLError, FetchError
from vigil.ingest.safety import FetchPolicy, address_problem, check_url, resolve_allowed
from vigil.settings import Settings


@pytest.mark.parametrize(("address", "problem"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.1", "private"), ("192.168.1.4", "private"),
    ("172.16.5.5", "private"), ("169.254.169.254", "cloud metadata"), ("169.254.1.1", "link-local"),
    ("fd00:ec2::254", "cloud metadata"), ("::ffff:10.0.0.1", "private"), ("100.64.0.1", "shared/reserved"),
    ("0.0.0.0", "private"), ("fe80::1", "link-local"), ("224.0.0.1", "reserved"),
])
def test_internal_addresses_are_refused(address: str, problem: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) == problem


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.140", "2a00:1450:4001:80b::200e"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_allow_list_opens_private_hosts_but_never_metadata() -> None:
    policy = FetchPolicy(allow_hosts=("127.0.0.1", "169.254.169.254"))
    check_url("http://127.0.0.1:9/x", policy)
    with pytest.raises(BlockedURLError, match="metadata"):
        check_url("http://169.254.169.254/latest/", policy)
    with pytest.raises(BlockedURLError):
        check_url("http://10.0.0.1/", policy)


def test_resolution_refuses_a_name_with_any_private_address() -> None:
    def resolver(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    with pytest.raises(BlockedURLError) as info:
        resolve_allowed("rebind.example", 80, FetchPolicy(), resolver)
    assert info.value.reason == "blocked-address"


def test_resolution_failure_is_retryable() -> None:
    def resolver(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        raise socket.gaierror("no such host")

    with pytest.raises(FetchError) as info:
        resolve_allowed("nowhere.example", 80, FetchPolicy(), resolver)
    assert info.value.reason == "dns-error" and info.value.retryable


def test_policy_from_settings() -> None:
    settings = Settings(contact_url="https://example.org/contact", allow_hosts=("127.0.0.1",),
                        per_host_delay=2.5, max_body_bytes=1234)
    policy = FetchPolicy.from_settings(settings)
    assert "https://example.org/contact" in policy.user_agent and policy.user_agent.startswith("VigilBot/")
    assert policy.per_host_delay == 2.5 and policy.max_body_bytes == 1234
    assert policy.host_allowed("127.0.0.1") and not policy.host_allowed("10.0.0.1")
