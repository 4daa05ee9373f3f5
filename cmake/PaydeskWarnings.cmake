# Compiler warnings and sanitizers applied to every Paydesk target through paydesk_target_defaults().
add_library(paydesk_build_flags INTERFACE)
target_compile_options(paydesk_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                       -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual)
target_compile_definitions(paydesk_build_flags INTERFACE
  QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_NO_FOREACH)
if(PAYDESK_WERROR)
  target_compile_options(paydesk_build_flags INTERFACE -Werror)
endif()
if(PAYDESK_SANITIZE)
  target_compile_options(paydesk_build_flags INTERFACE -fsanitize=address,undefined
                         -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(paydesk_build_flags INTERFACE -fsanitize=address,undefined)
endif()

function(paydesk_target_defaults target)
  target_link_libraries(${target} PRIVATE paydesk_build_flags)
endfunction()
