# Berlin Group NextGenPSD2 XS2A connector (standard JSON, savings-bank camt.052, signing profiles;
# OAuth, redirect and decoupled SCA; transactions as a download link).
list(APPEND CONNECTORS_SOURCES src/xs2a.cpp src/xs2a_map.cpp src/xs2a_sca.cpp)
