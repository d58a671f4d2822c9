# Bank profiles: the profile set and the table profile (owned by the CSV/table work).
find_package(yaml-cpp REQUIRED)
list(APPEND FORMAT_SOURCES
  src/profiles/profile_set.cpp
  src/profiles/yaml_util.cpp
  src/profiles/table_profile.cpp
  src/profiles/table_match.cpp
  src/profiles/table_mapper.cpp)
list(APPEND FORMAT_LIBS yaml-cpp)
