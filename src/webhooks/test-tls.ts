// A self-signed certificate for localhost and 127.0.0.1 (valid until 2126), made for these tests only with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost
// -addext subjectAltName=DNS:localhost,IP:127.0.0.1`. Its key protects nothing.
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUVBg+92c7rR0EoCR8CrusWPvpC70wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjA3MTUxM1oYDzIxMjYxMTAy
MDcxNTEzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQ6PH37H1wrnEe/KuNWppuE040P6Y72heLVqM1jwgsNP89PQkCLDvaq
LpWbnsa+13sM8piaYTF7ll3fqbj3v/KHo28wbTAdBgNVHQ4EFgQUVUAgglpZvPbe
kDXEQPXRQ/96TwcwHwYDVR0jBBgwFoAUVUAgglpZvPbekDXEQPXRQ/96TwcwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgdb/3FDqXNLMxwsbr9LXMu4rw2ryn05IgG4KPUx3Sgr8CIEkA
z/hBsUG8jX4zVH6WJWECSuaIn7geSqPf8mfWrfOa
-----END CERTIFICATE-----
`;
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg96Kdr17xe5m0k3dR
WStfVUqSxc2cYk2jdJCIf4RvLLahRANCAAQ6PH37H1wrnEe/KuNWppuE040P6Y72
heLVqM1jwgsNP89PQkCLDvaqLpWbnsa+13sM8piaYTF7ll3fqbj3v/KH
-----END PRIVATE KEY-----
`;
