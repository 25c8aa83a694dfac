package dev.isthmus.spec;

/** A {@code linux.netDevices} value: the name inside the container, or null to keep the host name. */
public record LinuxNetDevice(String name) {}
