# Connector core: OAuth 2.0 client and the helpers every connector shares (JSON, URLs, errors,
# pagination guards, crypto for PKCE and HTTP signatures).
find_package(Boost 1.81 REQUIRED COMPONENTS json)
find_package(OpenSSL REQUIRED)
list(APPEND CONNECTORS_SOURCES src/http_util.cpp src/crypto_util.cpp src/oauth.cpp)
list(APPEND CONNECTORS_PRIVATE_LIBS Boost::json OpenSSL::Crypto)
