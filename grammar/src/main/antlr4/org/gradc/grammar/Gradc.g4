/*
 * The .grad model language. The reference is docs/language.md.
 *
 * Statements need no separator: each one starts with a keyword or with `name =`, and line
 * breaks are ordinary white space, so long expressions may span lines. No token that can start
 * a statement can continue an expression, which keeps every parsing decision local (and so
 * every syntax error where it happened). Syntax errors are
 * phrased by org.gradc.compiler.syntax.SyntaxErrorStrategy, never by ANTLR's defaults, and bad
 * characters travel on the hidden channel (BAD_CHAR) so the front end reports each one once
 * without disturbing the parse.
 */
grammar Gradc;

program
    : header statement* EOF
    ;

header
    : MODEL name=IDENT
    ;

statement
    : CONST name=IDENT '=' value=expr                                 # constDecl
    | INPUT name=IDENT ':' type                                      # inputDecl
    | PARAM name=IDENT ':' type '=' init=IDENT arguments?            # paramDecl
    | STATE name=IDENT ':' type '=' init=IDENT arguments?            # stateDecl
    | OUTPUT name=IDENT ('=' value=expr)?                            # outputDecl
    | LOSS '='? value=expr                                           # lossDecl
    | OPTIMIZER name=IDENT arguments?                                # optimizerDecl
    | DEF name=IDENT '(' defParams? ')' '=' body=expr                # defDecl
    | FOR var=IDENT IN from=expr '..' to=expr '{' statement* '}'     # forLoop
    | name=IDENT ('[' index=expr ']')? '=' value=expr                # binding
    ;

type
    : elem=(FLOAT_TYPE | INT_TYPE) ('[' (expr (',' expr)* ','?)? ']')?
    ;

defParams
    : defParam (',' defParam)* ','?
    ;

defParam
    : name=IDENT ('=' value=expr)?
    ;

arguments
    : '(' (argument (',' argument)* ','?)? ')'
    ;

argument
    : (name=IDENT '=')? value=expr
    ;

// One position of an index: `:` (all of the axis), `i` (select) or `a .. b` (a half-open range).
indexItem
    : ':'                                                            # allItem
    | from=expr ('..' to=expr)?                                      # exprItem
    ;

// Precedence from tightest to loosest: call, indexing and atoms, ^ (right-associative), unary minus,
// * / @, + -, comparisons. So -x^2 is -(x^2) and 2^-1 is 2^(-1).
expr
    : '(' expr ')'                                                   # parenExpr
    | IDENT arguments?                                               # nameOrCallExpr
    | INT                                                            # intExpr
    | FLOAT                                                          # floatExpr
    | (TRUE | FALSE)                                                 # boolExpr
    | '[' (expr (',' expr)* ','?)? ']'                               # listExpr
    | target=expr '[' indexItem (',' indexItem)* ','? ']'            # indexExpr
    | <assoc=right> left=expr op='^' right=expr                      # binaryExpr
    | op='-' operand=expr                                            # negExpr
    | left=expr op=('*' | '/' | '@') right=expr                      # binaryExpr
    | left=expr op=('+' | '-') right=expr                            # binaryExpr
    | left=expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') right=expr  # binaryExpr
    ;

MODEL      : 'model' ;
CONST      : 'const' ;
INPUT      : 'input' ;
PARAM      : 'param' ;
STATE      : 'state' ;
OUTPUT     : 'output' ;
LOSS       : 'loss' ;
OPTIMIZER  : 'optimizer' ;
DEF        : 'def' ;
FOR        : 'for' ;
IN         : 'in' ;
FLOAT_TYPE : 'float' ;
INT_TYPE   : 'int' ;
TRUE       : 'true' ;
FALSE      : 'false' ;

IDENT : [a-zA-Z_] [a-zA-Z_0-9]* ;
// `0..T` is a range, not the float `0.` followed by `.T`.
FLOAT
    : [0-9]+ '.' [0-9]+ EXPONENT?
    | [0-9]+ '.' {_input.LA(1) != '.'}? EXPONENT?
    | '.' [0-9]+ EXPONENT?
    | [0-9]+ EXPONENT
    ;
INT   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
COMMA  : ',' ;
COLON  : ':' ;
DOTDOT : '..' ;
LBRACE : '{' ;
RBRACE : '}' ;
ASSIGN : '=' ;
PLUS   : '+' ;
MINUS  : '-' ;
STAR   : '*' ;
SLASH  : '/' ;
AT     : '@' ;
CARET  : '^' ;
LT     : '<' ;
LE     : '<=' ;
GT     : '>' ;
GE     : '>=' ;
EQ     : '==' ;
NE     : '!=' ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// A comment still open at the end of the file: reported by the front end, ignored by the parser.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF -> channel(HIDDEN) ;
WS : [ \t\r\n\f]+ -> skip ;
// Anything else: reported by the front end, ignored by the parser (so one stray `$` is one error).
BAD_CHAR : . -> channel(HIDDEN) ;
