"""Offline stand-in for rules_java: the native rules that @bazel_tools loads by this name."""

java_binary = native.java_binary
java_import = native.java_import
java_library = native.java_library
java_plugin = native.java_plugin
java_proto_library = native.java_proto_library
java_runtime = native.java_runtime
java_test = native.java_test
java_toolchain = native.java_toolchain
java_lite_proto_library = native.java_lite_proto_library
