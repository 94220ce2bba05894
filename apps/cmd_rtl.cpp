// Commands of the rtl component. Owned by that component; replace this placeholder.
#include "apps/commands.h"

namespace wrpn {

void register_rtl_commands(CommandGroups& /*g*/) {}

}  // namespace wrpn
