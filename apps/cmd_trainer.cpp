// Commands of the trainer component. Owned by that component; replace this placeholder.
#include "apps/commands.h"

namespace wrpn {

void register_trainer_commands(CommandGroups& /*g*/) {}

}  // namespace wrpn
