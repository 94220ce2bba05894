// Commands of the energy component. Owned by that component; replace this placeholder.
#include "apps/commands.h"

namespace wrpn {

void register_energy_commands(CommandGroups& /*g*/) {}

}  // namespace wrpn
