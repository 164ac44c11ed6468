# certs.sh - the certificates and hashes of the TLS and basic auth tests,
# made in the current directory with openssl and Python's crypt module.
#
#   source "$(dirname "$0")/lib/certs.sh"
#   make_certs [SERVER_NAME...]   ca.crt/.key; NAME.crt/.key for 127.0.0.1
#                                 (server when none is named), signed by ca;
#                                 client.crt/.key from ca; rogue.crt/.key
#                                 self-signed. Returns 1 when any is missing.
#   bcrypt PASSWORD               a bcrypt hash of cost 10 (libxcrypt)

make_certs() {
	local n names=("$@")
	[ ${#names[@]} -gt 0 ] || names=(server)
	_q() { "$@" >/dev/null 2>&1; }
	_q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
	printf 'extendedKeyUsage=clientAuth\n' >client.ext
	for n in "${names[@]}"; do
		_q openssl req -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.csr" -subj "/CN=$n"
		_q openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$n.crt" -days 2 \
			-extfile san.ext
	done
	_q openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=client
	_q openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 \
		-extfile client.ext
	_q openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.crt -days 2 -subj /CN=rogue
	[ -s "${names[0]}.crt" ] && [ -s client.crt ] && [ -s rogue.crt ]
}

bcrypt() {
	/usr/bin/python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))' "$1"
}
