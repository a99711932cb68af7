/* Read by cppcheck before every file (tools/lint.sh): the shape of the
 * library macros it cannot see, as it is not given the system headers.
 * Each is a loop that sets its variables; only the shape matters here. */
#define json_array_foreach(array, index, value) \
	for ((index) = 0; ((value) = json_array_get((array), (index))) != 0; (index)++)
#define json_object_foreach(object, key, value) \
	for ((key) = lint_first_key(object); (key) && ((value) = lint_value_of(object, key)); \
	     (key) = lint_next_key(object, key))
