/// Test-only credentials for `azure-dps --simulate`: a throw-away root CA and a device
/// certificate (CN sim-device) with its key, generated once with openssl for this purpose.
/// They protect nothing; they exist so the simulated run goes through the same pre-flight
/// checks and uploads as a real one.
enum SimulatorCredentials {
    static let ca = """
    -----BEGIN CERTIFICATE-----
    MIIBzjCCAXWgAwIBAgIUfnIIDtzo+JzzICLMBO9Jk1Kri3swCgYIKoZIzj0EAwIw
    NDEyMDAGA1UEAwwpRURNIHRvb2xraXQgc2ltdWxhdG9yIHJvb3QgQ0EgKHRlc3Qg
    b25seSkwIBcNMjYxMTI4MDkzNzQyWhgPMjEyNjExMDQwOTM3NDJaMDQxMjAwBgNV
    BAMMKUVETSB0b29sa2l0IHNpbXVsYXRvciByb290IENBICh0ZXN0IG9ubHkpMFkw
    EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeysjbMUHIBElLd1pT5Vp3jBy7665Hj1p
    Np8eGgXmt/r1f8B5tG4lpLkaNTWJTbcUwBhBG0qVGEJUb9DOJq6VyqNjMGEwHQYD
    VR0OBBYEFHn0um68FxsbYa0scgQYIjqMJ7OuMB8GA1UdIwQYMBaAFHn0um68Fxsb
    Ya0scgQYIjqMJ7OuMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoG
    CCqGSM49BAMCA0cAMEQCIAXEdwdkUuxSHcDnAt9EkJtN5iLMsCE38y8d4xRli1FY
    AiAZ3sUAr3lQnLNLbpsvq0iIFY0pt90VhE47r6Sly6abzA==
    -----END CERTIFICATE-----
    """
    static let cert = """
    -----BEGIN CERTIFICATE-----
    MIIBvzCCAWWgAwIBAgIUWfFxtO3h0hwiiK99vsV7L+Ep63IwCgYIKoZIzj0EAwIw
    NDEyMDAGA1UEAwwpRURNIHRvb2xraXQgc2ltdWxhdG9yIHJvb3QgQ0EgKHRlc3Qg
    b25seSkwIBcNMjYxMTI4MDkzNzQyWhgPMjEyNjExMDQwOTM3NDJaMBUxEzARBgNV
    BAMMCnNpbS1kZXZpY2UwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARpI8exym9Q
    m9bMTh/dGDZUOccBNoDCsA4+gWKVBh5J0nagnUFTsuBpH7zOgOOctA8rUhz1nOyJ
    LOLCqav1o6Z+o3IwcDAJBgNVHRMEAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUE
    DDAKBggrBgEFBQcDAjAdBgNVHQ4EFgQU6BSCBOMnQ+GBCNxwZ5nBferZHtkwHwYD
    VR0jBBgwFoAUefS6brwXGxthrSxyBBgiOowns64wCgYIKoZIzj0EAwIDSAAwRQIh
    AIfAr3e3XtQhmHLzZM84flL6LqFryksuYtlrrJYogXPuAiBTULqlej08+VbKREe1
    bGGWG/ex3hWmQIOJKNWxhC3W+A==
    -----END CERTIFICATE-----
    """
    static let key = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyL8/yIxqAgqhOvZD
    YAPGGH0bmqDiFrHuaZv7Cwr8GNyhRANCAARpI8exym9Qm9bMTh/dGDZUOccBNoDC
    sA4+gWKVBh5J0nagnUFTsuBpH7zOgOOctA8rUhz1nOyJLOLCqav1o6Z+
    -----END PRIVATE KEY-----
    """
}
