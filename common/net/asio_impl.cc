// The single translation unit that compiles Asio and Beast (see the
// BOOST_*_SEPARATE_COMPILATION definitions in the top-level CMakeLists.txt).
// Everything else includes only their declarations, which keeps builds fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
