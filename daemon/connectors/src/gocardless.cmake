# GoCardless Bank Account Data (ex-Nordigen) connector; uses bridge_common.{h,cpp} from bridge.cmake.
list(APPEND CONNECTORS_SOURCES src/gocardless.cpp src/gocardless_map.cpp)
