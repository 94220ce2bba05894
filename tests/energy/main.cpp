#define BOOST_TEST_MODULE energy
#include <boost/test/unit_test.hpp>
