# Bridge API connector, v3 and the legacy v2 user model (and the JSON/HTTP helpers the aggregator
# connectors share).
find_package(Boost 1.81 REQUIRED COMPONENTS json)
list(APPEND CONNECTORS_SOURCES src/bridge.cpp src/bridge_map.cpp src/bridge_common.cpp src/bridge_v2.cpp)
list(APPEND CONNECTORS_PRIVATE_LIBS Boost::json)
