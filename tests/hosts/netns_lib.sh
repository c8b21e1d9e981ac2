# Hosts for cast's multi-host tests: one network namespace per host, each
# with one veth link to a bridge that lives in a namespace of its own (the
# "switch"), all on one /24 that the test names. Nothing is added to the
# machine's own namespace: no address, no route, no link, so no packet can
# leave the test's hosts. Sourced by the netns_*.sh tests.
#
#   netns_require                       exit 77 (ctest SKIP) when namespaces cannot be made
#   netns_create TAG SUBNET HOST...     hosts TAG-HOST at SUBNET.2, SUBNET.3, ... (SUBNET like 10.213.0);
#                                       TAG is cast<pid of the test>, so that namespaces of a test
#                                       killed outright (ctest's timeout) are found and removed
#   netns_address HOST                  its address
#   in_host HOST CMD...                 runs CMD in that host's namespace
#   netns_cut HOST / netns_mend HOST    unplugs / replugs the host's cable at the switch
#   netns_destroy                       ends every process in the namespaces, removes them (idempotent)

declare -gA NETNS_ADDRESS=()
NETNS_TAG=""
NETNS_ALL=()

netns_skip() {
  echo "SKIP: $*" >&2
  exit 77
}

netns_require() {
  [[ $(id -u) -eq 0 ]] || netns_skip "network namespaces need root (uid $(id -u))"
  command -v ip >/dev/null || netns_skip "iproute2 ('ip') is not installed"
  local probe="cast-probe-$$" out
  if ! out=$(ip netns add "$probe" 2>&1); then
    netns_skip "the kernel refuses network namespaces here: $out"
  fi
  ip netns del "$probe"
}

in_host() {
  local host=$1
  shift
  ip netns exec "$NETNS_TAG-$host" "$@"
}

netns_address() { echo "${NETNS_ADDRESS[$1]}"; }

# Namespaces of earlier tests that were killed before their trap ran.
netns_reap_stale() {
  local ns pid pids
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^cast[0-9]+-' || true); do
    pid=${ns#cast}
    pid=${pid%%-*}
    kill -0 "$pid" 2>/dev/null && continue
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}

netns_create() {
  netns_reap_stale
  NETNS_TAG=$1
  local subnet=$2
  shift 2
  local switch="$NETNS_TAG-switch" number=2 host
  ip netns add "$switch"
  NETNS_ALL+=("$switch")
  ip -n "$switch" link add br0 type bridge
  ip -n "$switch" link set br0 up
  ip -n "$switch" link set lo up
  for host in "$@"; do
    local ns="$NETNS_TAG-$host"
    ip netns add "$ns"
    NETNS_ALL+=("$ns")
    # Both ends are created inside their namespaces: the machine's own
    # namespace never sees this link.
    ip link add eth0 netns "$ns" type veth peer name "port-$host" netns "$switch"
    ip -n "$switch" link set "port-$host" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$subnet.$number/24" dev eth0
    ip -n "$ns" link set eth0 up
    NETNS_ADDRESS[$host]="$subnet.$number"
    number=$((number + 1))
  done
}

# The switch side of the cable goes down: the host's packets go nowhere and
# nothing (no RST, no FIN) reaches its peers.
netns_cut() { ip -n "$NETNS_TAG-switch" link set "port-$1" down; }
netns_mend() { ip -n "$NETNS_TAG-switch" link set "port-$1" up; }

netns_destroy() {
  local ns pids left
  for ns in "${NETNS_ALL[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n "$pids" ]] && kill -TERM $pids 2>/dev/null || true
  done
  for _ in $(seq 50); do
    left=""
    for ns in "${NETNS_ALL[@]}"; do left+=$(ip netns pids "$ns" 2>/dev/null || true); done
    [[ -z "$left" ]] && break
    sleep 0.1
  done
  for ns in "${NETNS_ALL[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
  done
  for ns in "${NETNS_ALL[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  NETNS_ALL=()
}
