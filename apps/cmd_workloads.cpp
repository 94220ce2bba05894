// Commands of the workload component. Owned by that component; replace this placeholder.
#include "apps/commands.h"

namespace wrpn {

void register_workload_commands(CommandGroups& /*g*/) {}

}  // namespace wrpn
