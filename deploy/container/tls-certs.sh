#!/usr/bin/env bash
# Makes a small certificate authority and the certificates of a mutual-TLS
# control stream with openssl, for trying TLS out (use your own PKI for
# anything that lasts):
#   tls-certs.sh DIR [NAME...]
# DIR/ca.pem (+ ca.key), DIR/controller.pem + .key for the names workers
# dial (default `controller`, the compose service; `localhost` and 127.0.0.1
# always), DIR/worker.pem + .key, one client certificate for every worker.
# Valid for CAST_TLS_DAYS days (30). Keys are readable by their owner only;
# the CA's key is not kept (DIR is mounted into containers): run again for
# new certificates.
set -euo pipefail
dir=${1:?usage: tls-certs.sh DIR [NAME...]}
shift
names=("${@:-controller}")
days=${CAST_TLS_DAYS:-30}
mkdir -p "$dir"
cd "$dir"
umask 077
san="IP:127.0.0.1,DNS:localhost"
for name in "${names[@]}"; do san+=",DNS:$name"; done

quiet() { "$@" 2>>openssl.log || { cat openssl.log >&2; exit 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj /CN=cast-control-ca -keyout ca.key -out ca.pem
signed() {
  local name=$1 extensions=$2
  quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=cast-$name" -keyout "$name.key" -out "$name.csr"
  printf '%b\n' "$extensions" >"$name.ext"
  quiet openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" \
    -extfile "$name.ext" -out "$name.pem"
  rm -f "$name.csr" "$name.ext"
}
signed controller "subjectAltName=$san\nextendedKeyUsage=serverAuth"
signed worker "extendedKeyUsage=clientAuth"
# Certificates are public: readable by the containers' users as well.
chmod 644 ca.pem controller.pem worker.pem
rm -f openssl.log ca.srl ca.key
echo "tls-certs: CA, controller (${names[*]}) and worker certificates in $PWD" >&2
