# Enforces data <- render <- widgets <- app: data/ may not include Qt or VTK, render/ may not
# include Qt Widgets. The same script runs at configure time and as the ctest `layering`.
set(TESSERA_LAYER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/LayerCheckScript.cmake)

function(tessera_check_layers)
  execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${CMAKE_SOURCE_DIR} -P ${TESSERA_LAYER_SCRIPT}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Layering violation (see above)")
  endif()
endfunction()
