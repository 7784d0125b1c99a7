"""Accounts as a government system needs them (GB/T 22239-2019 网络安全等级保护基本要求, level 3).

    SEC1  password complexity: at least 12 characters, three of the four classes (upper, lower, digit,
          symbol), not containing the account id                          8.1.4.1 a)
    SEC2  login failure handling: 5 failed passwords for an account within 15 minutes lock it for 30
          minutes (or until the security administrator unlocks it); failed authentications from one
          client address beyond 20 within 15 minutes are throttled (429)   8.1.4.1 b)
    SEC3  a page session idle longer than the configured minutes ends       8.1.4.1 b)
    SEC4  three administrators separated (三员分立): the system administrator manages accounts and roles,
          the security administrator locks, unlocks and resets passwords, the audit administrator reads
          the security audit trail; none does another's work, none holds any other role (so none acts in
          a decision procedure), and none is appointed through the API (the operator appoints them at the
          console, `decide user add`)                                     8.1.4.2 d), 8.1.5.1–8.1.5.3

Pure rules: the service layer counts, stores and records; this module decides.
"""

from __future__ import annotations

import math
import string
from datetime import datetime, timedelta

from decision_engine.domain.errors import InvalidInput, NotPermitted, TooManyAttempts, Unauthenticated

STANDARD = "GB/T 22239-2019"
ART_PASSWORD = f"{STANDARD} 8.1.4.1 a)"
ART_FAILURES = f"{STANDARD} 8.1.4.1 b)"
ART_SEPARATION = f"{STANDARD} 8.1.4.2 d), 8.1.5"

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_CLASSES = 3
LOCK_AFTER_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_PERIOD = timedelta(minutes=30)
CLIENT_FAILURES = 20  # failed authentications from one address within FAILURE_WINDOW before throttling

SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN = "system_admin", "security_admin", "audit_admin"
ADMIN_ROLES = frozenset({SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN})
ADMIN_NAMES = {SYSTEM_ADMIN: "系统管理员", SECURITY_ADMIN: "安全管理员", AUDIT_ADMIN: "审计管理员"}
DUTIES = {SYSTEM_ADMIN: "管理人员、角色和令牌", SECURITY_ADMIN: "锁定、解锁账户和重置口令",
          AUDIT_ADMIN: "查阅安全审计记录"}


def password_classes(password: str) -> int:
    """How many of the four character classes (upper, lower, digit, symbol) a password uses."""
    return sum((any(c.isupper() for c in password), any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(c in string.punctuation or not (c.isalnum() or c.isspace()) for c in password)))


def check_password_policy(password: str, person_id: str) -> None:
    """SEC1: refuse a password that is too short, too simple or contains the account id."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"长度至少 {MIN_PASSWORD_LENGTH} 个字符（at least {MIN_PASSWORD_LENGTH} characters）")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"长度至多 {MAX_PASSWORD_LENGTH} 个字符（at most {MAX_PASSWORD_LENGTH} characters）")
    if password_classes(password) < MIN_CLASSES:
        problems.append("须包含大写字母、小写字母、数字、符号中的至少三类（three of upper, lower, digit, symbol）")
    if person_id and person_id.lower() in password.lower():
        problems.append("不得包含账户标识（must not contain the account id）")
    if problems:
        raise InvalidInput("口令不符合复杂度要求：" + "；".join(problems) + "。（password refused by the policy）",
                           rule="SEC1", article=ART_PASSWORD)


def lock_until(failures_in_window: int, now: datetime) -> datetime | None:
    """SEC2: the moment a lock ends when this many failures lie in the window, else None."""
    return now + LOCK_PERIOD if failures_in_window >= LOCK_AFTER_FAILURES else None


def refuse_locked(person_id: str, until: datetime | None, now: datetime) -> None:
    """SEC2: a locked account is refused, even with the right password (`until` None: locked by the security
    administrator until unlocked)."""
    if until is None:
        raise Unauthenticated(f"账户已被安全管理员锁定，请联系安全管理员解锁。（account {person_id} is locked by "
                              "the security administrator)", rule="SEC2", article=ART_FAILURES)
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    raise Unauthenticated(f"账户已锁定：{FAILURE_WINDOW.seconds // 60} 分钟内口令错误 {LOCK_AFTER_FAILURES} 次，"
                          f"约 {minutes} 分钟后自动解锁，或请安全管理员解锁。（account {person_id} is locked "
                          "after repeated failed logins)", rule="SEC2", article=ART_FAILURES)


def throttle_wait(failures_in_window: int, oldest_in_window: datetime | None, now: datetime) -> int:
    """SEC2: seconds a client must wait (0: not throttled) given its failures within the window."""
    if failures_in_window < CLIENT_FAILURES or oldest_in_window is None:
        return 0
    return max(1, int((oldest_in_window + FAILURE_WINDOW - now).total_seconds()) + 1)


def refuse_throttled(wait: int) -> None:
    """SEC2: too many failed authentications from this client address."""
    raise TooManyAttempts(f"来自此地址的身份验证失败次数过多，请 {wait} 秒后再试。（too many failed "
                          f"authentications from this address; retry in {wait} s)", retry_after=wait,
                          rule="SEC2", article=ART_FAILURES)


def require_admin(held: set[str], role: str, act: str) -> None:
    """SEC4: an account act needs its administrator's role; the others' roles do not stand in for it."""
    if role not in held:
        raise NotPermitted(f"{act}须由{ADMIN_NAMES[role]}办理（三员分立：{ADMIN_NAMES[role]}负责"
                           f"{DUTIES[role]}）；当前角色：{'、'.join(sorted(held)) or '无'}。(this needs the "
                           f"{role} role)", rule="SEC4", article=ART_SEPARATION)


def check_grant(role: str, held: set[str], *, by_console: bool, self_grant: bool) -> None:
    """SEC4: administrators are appointed at the console only, hold no other role, and nobody grants a role
    to themselves."""
    if self_grant:
        raise NotPermitted("不得为自己授予角色（nobody grants a role to themselves）", rule="SEC4",
                           article=ART_SEPARATION)
    if role in ADMIN_ROLES and not by_console:
        raise NotPermitted(f"{ADMIN_NAMES[role]}只能由运维人员在控制台设立（decide user add），不能经接口授予"
                           f"（three-administrator roles are appointed at the console only）", rule="SEC4",
                           article=ART_SEPARATION)
    others = held - {role}
    if role in ADMIN_ROLES and others:
        raise NotPermitted(f"{ADMIN_NAMES[role]}不得兼任其他角色（当前：{'、'.join(sorted(others))}）"
                           f"（an administrator holds no other role）", rule="SEC4", article=ART_SEPARATION)
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        admin = sorted(held & ADMIN_ROLES)[0]
        raise NotPermitted(f"{ADMIN_NAMES[admin]}不得兼任其他角色，也不参与决策程序（an administrator holds no "
                           f"other role and acts in no decision procedure）", rule="SEC4",
                           article=ART_SEPARATION)
