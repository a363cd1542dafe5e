#!/usr/bin/env bash
# `custody tuf client` against python-tuf's client (ngclient) on the same repositories,
# served by the same HTTP server on 127.0.0.1 (nginx with keep-alive when installed), in
# one run: cold refresh (empty metadata
# directory), warm refresh (nothing changed), and 100 target look-ups with downloads.
# Repositories: 10,000 targets flat and in 256 hash bins (made with python-tuf), and
# 1,000,000 targets in 4,096 hash bins (made with custody, timed: repository generation).
#
#   bench/tuf_client.sh [RUNS] [BIG_TARGETS]     # default 3 runs, 1000000 targets
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
big="${2:-1000000}"
py="${CUSTODY_INTEROP_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/custody/interop-venv/bin/python}"
"$py" -c 'import tuf' 2>/dev/null || { echo "python-tuf missing: run scripts/test first" >&2; exit 2; }
cargo build -q --release -p custody
custody="$(realpath "${CARGO_TARGET_DIR:-target}/release/custody")"
work="$(mktemp -d)"; chmod 755 "$work"; trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
interop=crates/custody/tests/interop

best() { # best wall time in milliseconds of $runs runs of "$@" (after an optional setup)
  local best=""
  for _ in $(seq "$runs"); do
    [ -n "${SETUP:-}" ] && eval "$SETUP"
    local s e t
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; exit 1; }; e=$(date +%s%N)
    t=$(( (e - s) / 1000000 ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}

serve() { # serve DIR; sets $url. nginx (keep-alive, so that connection set-up is not what
  # is measured) when installed, else busybox httpd, else python's http.server.
  local port=$(( 20000 + RANDOM % 20000 ))
  if command -v nginx >/dev/null; then
    local conf="$work/nginx-$port.conf"
    cat > "$conf" <<NGINX
daemon off; worker_processes 1; pid $work/nginx-$port.pid; error_log /dev/null;
events { worker_connections 256; }
http { access_log off; keepalive_requests 100000;
  server { listen 127.0.0.1:$port; root $1; } }
NGINX
    nginx -c "$conf" -p "$work" &
    sleep 0.5
    url="http://127.0.0.1:$port"
  elif command -v busybox >/dev/null; then
    busybox httpd -f -p "127.0.0.1:$port" -h "$1" &
    sleep 0.3
    url="http://127.0.0.1:$port"
  else
    local log="$work/serve-$RANDOM.log"
    "$py" -B "$interop/serve.py" "$1" /dev/null > "$log" &
    for _ in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
    url="http://127.0.0.1:$(head -1 "$log")"
  fi
}

compare() { # compare NAME REPO_DIR TARGETS...
  local name="$1" repo="$2"; shift 2
  local targets=("$@")
  serve "$repo"
  local key="${name//[^a-zA-Z0-9]/_}"
  local md="$work/md-$key" td="$work/td-$key" pmd="$work/pmd-$key" ptd="$work/ptd-$key"
  local c=("$custody" tuf client --metadata-url "$url/metadata/" --metadata-dir "$md")
  local t_args=(); for t in "${targets[@]}"; do t_args+=(--target-name "$t"); done
  local p=("$py" -B "$interop/tuf_client.py" "$pmd" "$repo/metadata/1.root.json" "$url/metadata/" "$url/targets/" "$ptd")
  SETUP="rm -rf $md; mkdir -p $md; $custody tuf client --metadata-dir $md init $repo/metadata/1.root.json"
  local c_cold; c_cold=$(best "${c[@]}" refresh)
  SETUP="" ; local c_warm; c_warm=$(best "${c[@]}" refresh)
  SETUP="rm -rf $td"; local c_dl; c_dl=$(best "${c[@]}" "${t_args[@]}" --target-dir "$td" --target-base-url "$url/targets/" download)
  SETUP="rm -rf $pmd"; local p_cold; p_cold=$(best "${p[@]}")
  SETUP="" ; local p_warm; p_warm=$(best "${p[@]}")
  SETUP="rm -rf $ptd"; local p_dl; p_dl=$(best "${p[@]}" "${targets[@]}")
  SETUP=""
  awk -v n="$name" -v cc="$c_cold" -v cw="$c_warm" -v cd="$c_dl" -v pc="$p_cold" -v pw="$p_warm" -v pd="$p_dl" 'BEGIN{
    printf "| %s | cold refresh | %d ms | %d ms | %.1fx |\n", n, cc, pc, pc/cc
    printf "| %s | warm refresh | %d ms | %d ms | %.1fx |\n", n, cw, pw, pw/cw
    printf "| %s | 100 look-ups + downloads (warm) | %d ms | %d ms | %.1fx |\n", n, cd, pd, pd/cd }'
}

pick() { # 100 target names spread over N: files/file-<i>.txt
  local n="$1" step=$(( $1 / 100 ))
  for i in $(seq 0 99); do echo "files/file-$(( i * step )).txt"; done
}

echo "| Repository | Operation | custody | python-tuf 7 | speed-up |"
echo "|---|---|---:|---:|---:|"
"$py" -B "$interop/tuf_repo.py" "$work/flat" init --targets 10000 --key-type ed25519
mapfile -t names < <(pick 10000)
compare "10k flat" "$work/flat" "${names[@]}"
"$py" -B "$interop/tuf_repo.py" "$work/bins" init --targets 10000 --hash-bins 8 --key-type ed25519
compare "10k, 256 bins" "$work/bins" "${names[@]}"

# A large repository made by custody: 1,000,000 small target files in 4,096 hash bins.
# Writing the source files is timed too: creating that many files is the floor of any
# repository generation on this disk (custody copies each one into targets/).
s=$(date +%s%N)
"$py" - "$work/files" "$big" <<'PYEOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in range(1000):
    os.makedirs(f"{root}/files/{d:03d}", exist_ok=True)
for i in range(n):
    with open(f"{root}/files/{i % 1000:03d}/file-{i}.txt", "w") as f:
        f.write(f"content {i}\n")
PYEOF
e=$(date +%s%N)
files_ms=$(( (e - s) / 1000000 ))
sync  # so that writing back these files does not slow down what is measured next
(cd "$work" && for k in root targets online bins; do "$custody" key generate -q --unencrypted --name $k --dir keys >/dev/null 2>&1 || "$custody" key generate --unencrypted --name $k --dir keys >/dev/null; done
 "$custody" tuf init big --root-key keys/root.pub --targets-key keys/targets.pub --snapshot-key keys/online.pub --timestamp-key keys/online.pub --key keys/root.key --key keys/targets.key --key keys/online.key 2>/dev/null
 "$custody" tuf delegate big --hash-bins 12 --delegate-key keys/bins.pub --key keys/targets.key --key keys/online.key --key keys/bins.key 2>/dev/null)
s=$(date +%s%N)
(cd "$work" && "$custody" tuf add big files/files --prefix files --key keys/targets.key --key keys/online.key --key keys/bins.key 2>/dev/null)
e=$(date +%s%N)
gen_ms=$(( (e - s) / 1000000 ))
# The same with --link (hard links into targets/ instead of copies), into a second repository.
(cd "$work" && "$custody" tuf init big-linked --root-key keys/root.pub --targets-key keys/targets.pub --snapshot-key keys/online.pub --timestamp-key keys/online.pub --key keys/root.key --key keys/targets.key --key keys/online.key 2>/dev/null
 "$custody" tuf delegate big-linked --hash-bins 12 --delegate-key keys/bins.pub --key keys/targets.key --key keys/online.key --key keys/bins.key 2>/dev/null)
sync
s=$(date +%s%N)
(cd "$work" && "$custody" tuf add big-linked files/files --link --prefix files --key keys/targets.key --key keys/online.key --key keys/bins.key 2>/dev/null)
e=$(date +%s%N)
link_ms=$(( (e - s) / 1000000 ))
mapfile -t big_names < <("$py" - "$big" <<'PYEOF'
import sys
n = int(sys.argv[1]); step = n // 100
for i in range(100):
    j = i * step
    print(f"files/{j % 1000:03d}/file-{j}.txt")
PYEOF
)
compare "$big, 4096 bins" "$work/big" "${big_names[@]}"
echo
echo "custody tuf add of $big targets into 4096 hash bins (hash, copy, sign 4,096 bins, snapshot, timestamp): $gen_ms ms"
echo "the same with --link (hard links instead of copies): $link_ms ms"
echo "floor: python writing the $big source files once: $files_ms ms"
echo "machine: $(nproc) cores; $(date -u +%F)"
