# Usage: cmake -DROOT=<source dir> -P self_contained_check.cmake
# Fails when a test, script or CMake file reaches outside the repository for sample data (the
# sibling "shared" data folder of the development machines): CI runs a fresh clone without it.
set(pattern "(\\.\\./|/work/)shared")
file(GLOB_RECURSE files ${ROOT}/tests/* ${ROOT}/cmake/* ${ROOT}/.ci/* ${ROOT}/packaging/*
     ${ROOT}/CMakeLists.txt ${ROOT}/*/CMakeLists.txt)
set(bad "")
foreach(f IN LISTS files)
  if(f MATCHES "\\.(h5|h5ad|tif|png|raw|zarr)$|/\\.z|/zarr\\.json$|self_contained_check\\.cmake$")
    continue()
  endif()
  file(STRINGS ${f} hits REGEX "${pattern}")
  if(hits)
    list(APPEND bad "${f}: ${hits}")
  endif()
endforeach()
if(bad)
  foreach(b IN LISTS bad)
    message(SEND_ERROR "${b}")
  endforeach()
  message(FATAL_ERROR "files outside the repository are referenced")
endif()
message(STATUS "no references outside the repository")
