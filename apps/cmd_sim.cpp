// Commands of the sim component. Owned by that component; replace this placeholder.
#include "apps/commands.h"

namespace wrpn {

void register_sim_commands(CommandGroups& /*g*/) {}

}  // namespace wrpn
