/** Scripted fake agents and the simulated guest agent used by tests, the demo and the benchmark. */
package io.qga.sim;
