package dev.isthmus.spec;

import java.util.List;
import java.util.Map;

/**
 * {@code linux.resources}: cgroup settings. Numbers the spec types as uint64 are held as the bits of a long
 * (compare with {@link Long#compareUnsigned}); int64 ones as plain longs.
 */
public record LinuxResources(
        List<DeviceCgroup> devices,
        Memory memory,
        Cpu cpu,
        Pids pids,
        BlockIo blockIO,
        List<HugepageLimit> hugepageLimits,
        Network network,
        Map<String, Rdma> rdma,
        Map<String, String> unified) {
    public LinuxResources {
        devices = Copies.list(devices);
        hugepageLimits = Copies.list(hugepageLimits);
        rdma = Copies.map(rdma);
        unified = Copies.map(unified);
    }

    /** {@code devices[]} (LinuxDeviceCgroup): type {@code a}, {@code c} or {@code b}; access a subset of rwm. */
    public record DeviceCgroup(boolean allow, String type, Long major, Long minor, String access) {}

    /** {@code memory}. */
    public record Memory(
            Long limit,
            Long reservation,
            Long swap,
            Long kernel,
            Long kernelTCP,
            Long swappiness,
            Boolean disableOOMKiller,
            Boolean useHierarchy,
            Boolean checkBeforeUpdate) {}

    /** {@code cpu}. */
    public record Cpu(
            Long shares,
            Long quota,
            Long burst,
            Long period,
            Long realtimeRuntime,
            Long realtimePeriod,
            String cpus,
            String mems,
            Long idle) {}

    /** {@code pids}: -1 or absent means no limit. */
    public record Pids(Long limit) {}

    /** {@code blockIO}. */
    public record BlockIo(
            Integer weight,
            Integer leafWeight,
            List<WeightDevice> weightDevice,
            List<ThrottleDevice> throttleReadBpsDevice,
            List<ThrottleDevice> throttleWriteBpsDevice,
            List<ThrottleDevice> throttleReadIOPSDevice,
            List<ThrottleDevice> throttleWriteIOPSDevice) {
        public BlockIo {
            weightDevice = Copies.list(weightDevice);
            throttleReadBpsDevice = Copies.list(throttleReadBpsDevice);
            throttleWriteBpsDevice = Copies.list(throttleWriteBpsDevice);
            throttleReadIOPSDevice = Copies.list(throttleReadIOPSDevice);
            throttleWriteIOPSDevice = Copies.list(throttleWriteIOPSDevice);
        }
    }

    /** {@code blockIO.weightDevice[]}. */
    public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {}

    /** {@code blockIO.throttle*Device[]}; rate is uint64. */
    public record ThrottleDevice(long major, long minor, long rate) {}

    /** {@code hugepageLimits[]}. */
    public record HugepageLimit(String pageSize, long limit) {}

    /** {@code network}. */
    public record Network(Long classID, List<InterfacePriority> priorities) {
        public Network {
            priorities = Copies.list(priorities);
        }
    }

    /** {@code network.priorities[]}. */
    public record InterfacePriority(String name, long priority) {}

    /** An {@code rdma} value. */
    public record Rdma(Long hcaHandles, Long hcaObjects) {}
}
