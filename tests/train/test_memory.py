"""available_memory: the machine's free memory, or a control group's headroom where less.

The trees below are laid out as the kernel's ``/proc`` and ``/sys/fs/cgroup`` lay them out
(Documentation/admin-guide/cgroup-v2.rst: ``memory.max`` holds ``max`` or bytes,
``memory.current`` bytes, ``memory.stat`` ``key value`` lines; cgroup-v1/memory.rst:
``memory.limit_in_bytes``, ``memory.usage_in_bytes``, ``total_inactive_file``; an
unlimited v1 group reads 9223372036854771712, as this machine's root group does).
"""

from __future__ import annotations

from pathlib import Path

from genemoe.train.memory import available_memory, cgroup_headroom

GB = 10**9
V1_UNLIMITED = "9223372036854771712"


def _proc(tmp_path: Path, cgroup: str, mem_available_kb: int = 20_000_000) -> Path:
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal:       24684084 kB\nMemFree:  1000 kB\n"
                                  f"MemAvailable:   {mem_available_kb} kB\n")
    (proc / "self" / "cgroup").write_text(cgroup)
    return proc


def _group(d: Path, files: dict[str, str]) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text + "\n")


def test_no_limit_anywhere_is_the_machines_free_memory(tmp_path):
    proc = _proc(tmp_path, "0::/user.slice/session-1.scope\n")
    root = tmp_path / "cg"
    _group(root / "user.slice" / "session-1.scope",
           {"memory.max": "max", "memory.current": str(3 * GB)})
    assert cgroup_headroom(proc=proc, cgroup_root=root) is None
    assert available_memory(proc=proc, cgroup_root=root) == 20_000_000 * 1024


def test_a_slurm_jobs_limit_two_levels_up_bounds_it_less_the_reclaimable_cache(tmp_path):
    """A job of --mem=16G on a machine with 20 GB free: its step's group has no limit, the
    job's group has; page cache the kernel reclaims first does not use the headroom up."""
    proc = _proc(tmp_path, "0::/system.slice/slurmstepd.scope/job_7/step_0/user/task_0\n")
    root = tmp_path / "cg"
    job = root / "system.slice" / "slurmstepd.scope" / "job_7"
    _group(job, {"memory.max": str(16 * GB), "memory.current": str(10 * GB),
                 "memory.stat": f"anon {6 * GB}\nfile {4 * GB}\ninactive_file {3 * GB}"})
    _group(job / "step_0" / "user" / "task_0", {"memory.max": "max", "memory.current": "5"})
    assert cgroup_headroom(proc=proc, cgroup_root=root) == 9 * GB  # 16 - (10 - 3)
    assert available_memory(proc=proc, cgroup_root=root) == 9 * GB


def test_inside_a_containers_own_namespace_the_root_group_is_its_limit(tmp_path):
    proc = _proc(tmp_path, "0::/\n")
    root = tmp_path / "cg"
    _group(root, {"memory.max": str(8 * GB), "memory.current": str(5 * GB)})
    assert available_memory(proc=proc, cgroup_root=root) == 3 * GB
    _group(root, {"memory.current": str(9 * GB)})  # over its limit: nothing is free
    assert available_memory(proc=proc, cgroup_root=root) == 0


def test_version_1_hierarchies_are_read_and_their_unlimited_value_is_no_limit(tmp_path):
    proc = _proc(tmp_path, "9:pids:/\n4:memory:/docker/abc\n1:cpu,cpuacct:/\n",
                 mem_available_kb=100_000_000)
    root = tmp_path / "cg"
    _group(root / "memory", {"memory.limit_in_bytes": V1_UNLIMITED,
                             "memory.usage_in_bytes": str(40 * GB)})
    _group(root / "memory" / "docker", {"memory.limit_in_bytes": V1_UNLIMITED,
                                        "memory.usage_in_bytes": str(9 * GB)})
    _group(root / "memory" / "docker" / "abc",
           {"memory.limit_in_bytes": str(12 * GB), "memory.usage_in_bytes": str(4 * GB),
            "memory.stat": f"cache {2 * GB}\ntotal_inactive_file {GB}"})
    assert available_memory(proc=proc, cgroup_root=root) == 9 * GB  # 12 - (4 - 1)


def test_the_machine_bounds_it_when_it_has_less_free_than_the_group(tmp_path):
    proc = _proc(tmp_path, "0::/big\n", mem_available_kb=1_000_000)
    root = tmp_path / "cg"
    _group(root / "big", {"memory.max": str(64 * GB), "memory.current": str(GB)})
    assert available_memory(proc=proc, cgroup_root=root) == 1_000_000 * 1024


def test_unreadable_or_missing_groups_leave_the_machines_reading(tmp_path):
    proc = _proc(tmp_path, "0::/gone\n")
    assert cgroup_headroom(proc=proc, cgroup_root=tmp_path / "nowhere") is None
    (proc / "self" / "cgroup").unlink()
    assert available_memory(proc=proc, cgroup_root=tmp_path) == 20_000_000 * 1024
    root = tmp_path / "cg"
    _group(root / "x", {"memory.max": "garbage", "memory.current": "1"})
    (proc / "self" / "cgroup").write_text("0::/x\n")
    assert cgroup_headroom(proc=proc, cgroup_root=root) is None


def test_this_machine_reads_a_positive_amount():
    assert available_memory() > 0
