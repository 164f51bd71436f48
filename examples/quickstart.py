"""Quickstart: fly the default mission (Jiuquan -> Tiangong, 3-hour profile, aft port)."""

import qingzhou_sim as qz


def main() -> None:
    result = qz.Mission.default().run()  # launch window, insertion, phasing, approach, docking
    print(result.summary())  # timeline and delta-v budget as tables
    forward = qz.Mission.default().replace(port="forward").run()  # one more line: another port
    print(f"\nforward port: {forward.total_delta_v:.2f}, docked: {forward.docked}")


if __name__ == "__main__":
    main()
