# txstream_folder_library(<name> <dir>): a static library of every .cpp in
# <dir>, or an interface library while the folder holds headers only.
function(txstream_folder_library name dir)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${TXSTREAM_ROOT})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${TXSTREAM_ROOT})
  endif()
endfunction()
